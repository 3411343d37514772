{{- define "tpldemo.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
