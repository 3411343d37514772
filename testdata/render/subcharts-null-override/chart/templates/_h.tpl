{{- define "greet" }}parent{{ end }}
