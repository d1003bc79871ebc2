{{/* Name of the chart, overridable. */}}
{{- define "dbm-stream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources; the StatefulSet's pods are <fullname>-0, -1, ... */}}
{{- define "dbm-stream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The headless Service: each pod is <pod>.<this>.<namespace>.svc.<clusterDomain>. */}}
{{- define "dbm-stream.headlessName" -}}
{{- printf "%s-headless" (include "dbm-stream.fullname" .) }}
{{- end }}

{{- define "dbm-stream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dbm-stream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dbm-stream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dbm-stream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dbm-stream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dbm-stream.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dbm-stream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Bootstrap servers: given, or Strimzi's bootstrap Service. */}}
{{- define "dbm-stream.bootstrapServers" -}}
{{- if .Values.kafka.bootstrapServers }}
{{- .Values.kafka.bootstrapServers }}
{{- else if .Values.strimzi.enabled }}
{{- printf "%s-kafka-bootstrap:%d" .Values.strimzi.clusterName (ternary 9093 9092 .Values.kafka.tls.enabled | int) }}
{{- else }}
{{- fail "kafka.bootstrapServers is required (host:port,...) unless strimzi.enabled is true" }}
{{- end }}
{{- end }}

{{- define "dbm-stream.securityProtocol" -}}
{{- if and .Values.kafka.sasl.enabled .Values.kafka.tls.enabled }}SASL_SSL
{{- else if .Values.kafka.sasl.enabled }}SASL_PLAINTEXT
{{- else if .Values.kafka.tls.enabled }}SSL
{{- else }}PLAINTEXT
{{- end }}
{{- end }}

{{- define "dbm-stream.kafkaUserName" -}}
{{- default (include "dbm-stream.fullname" .) .Values.strimzi.user.name }}
{{- end }}

{{- define "dbm-stream.strimziUser" -}}
{{- if and .Values.strimzi.enabled .Values.strimzi.user.enabled }}true{{ end }}
{{- end }}

{{/* Secret of the CA certificate: given, Strimzi's cluster CA, or none (JVM trust). */}}
{{- define "dbm-stream.caSecret" -}}
{{- if .Values.kafka.tls.caSecret }}
{{- .Values.kafka.tls.caSecret }}
{{- else if .Values.strimzi.enabled }}
{{- printf "%s-cluster-ca-cert" .Values.strimzi.clusterName }}
{{- end }}
{{- end }}

{{- define "dbm-stream.clientAuthSecret" -}}
{{- if .Values.kafka.tls.clientAuth.secret }}
{{- .Values.kafka.tls.clientAuth.secret }}
{{- else if include "dbm-stream.strimziUser" . }}
{{- include "dbm-stream.kafkaUserName" . }}
{{- else }}
{{- fail "kafka.tls.clientAuth.secret is required when kafka.tls.clientAuth.enabled is true (or enable strimzi.user)" }}
{{- end }}
{{- end }}

{{- define "dbm-stream.saslUsername" -}}
{{- if .Values.kafka.sasl.username }}
{{- .Values.kafka.sasl.username }}
{{- else if include "dbm-stream.strimziUser" . }}
{{- include "dbm-stream.kafkaUserName" . }}
{{- else }}
{{- fail "kafka.sasl.username is required when kafka.sasl.enabled is true (or enable strimzi.user)" }}
{{- end }}
{{- end }}

{{- define "dbm-stream.saslSecret" -}}
{{- if .Values.kafka.sasl.passwordSecret }}
{{- .Values.kafka.sasl.passwordSecret }}
{{- else if include "dbm-stream.strimziUser" . }}
{{- include "dbm-stream.kafkaUserName" . }}
{{- else }}
{{- fail "kafka.sasl.passwordSecret is required when kafka.sasl.enabled is true (or enable strimzi.user)" }}
{{- end }}
{{- end }}

{{- define "dbm-stream.saslLoginModule" -}}
{{- if hasPrefix "SCRAM" .Values.kafka.sasl.mechanism }}org.apache.kafka.common.security.scram.ScramLoginModule
{{- else }}org.apache.kafka.common.security.plain.PlainLoginModule
{{- end }}
{{- end }}

{{/* Name of the topic <prefix><suffix> as a Kubernetes object name (KafkaTopic metadata.name). */}}
{{- define "dbm-stream.topicResourceName" -}}
{{- .name | lower | replace "_" "-" | trunc 63 | trimSuffix "-" | trimSuffix "." }}
{{- end }}

{{/* The generated Secret of the query API: admin token, its access file, the instances' peer token. */}}
{{- define "dbm-stream.apiSecret" -}}
{{- printf "%s-api" (include "dbm-stream.fullname" .) }}
{{- end }}

{{- define "dbm-stream.apiTlsSecret" -}}
{{- required "api.tls.secretName is required when api.tls.enabled is true (a Secret with tls.crt and tls.key)" .Values.api.tls.secretName }}
{{- end }}

{{- define "dbm-stream.apiScheme" -}}
{{- if .Values.api.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}
