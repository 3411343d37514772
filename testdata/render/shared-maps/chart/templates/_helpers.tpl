{{- define "shop.labels" -}}
{{- $labels := dict "app.kubernetes.io/name" .Values.app.name -}}
{{- $_ := merge $labels .Values.app.labels .Values.extraLabels -}}
{{- toYaml $labels -}}
{{- end -}}

{{- define "shop.ctx" -}}
{{- $_ := set .ctx "port" (add 8000 .offset) -}}
{{- $_ := set .ctx "scheme" "http" -}}
{{- end -}}
