{{- define "lib.hello" }}hello-lib{{ end }}
