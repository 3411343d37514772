{{- define "greet" }}sub{{ end }}
{{- define "subonly" }}sub{{ end }}
