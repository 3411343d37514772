{{- define "missinghelper.labels" -}}
app: {{ .Chart.Name }}
{{- end }}
