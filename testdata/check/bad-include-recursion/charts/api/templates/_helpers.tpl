{{- define "api.labels" -}}
app: {{ .Chart.Name }}
{{ include "api.labels" . }}
{{- end }}
