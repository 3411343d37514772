{{- define "api.labels" -}}
app: {{ .Chart.Name }}
{{- end }}
