# Inputs of one regional backend: where it is, what it runs, how far it scales, what it trusts.

variable "name" {
  description = "Region id, as the backend reports it in its beacon (FA_REGION) and as responses name it, e.g. \"us-east\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.name))
    error_message = "name must be lower-case letters, digits and dashes (at most 63 characters), the same rule region-backend/config.ts applies to FA_REGION."
  }
}

variable "latitude" {
  description = "Latitude of the region's data centre in degrees; written into the beacon so the edge can order regions by distance."
  type        = number

  validation {
    condition     = var.latitude >= -90 && var.latitude <= 90
    error_message = "latitude must be within [-90, 90]."
  }
}

variable "longitude" {
  description = "Longitude of the region's data centre in degrees; written into the beacon so the edge can order regions by distance."
  type        = number

  validation {
    condition     = var.longitude >= -180 && var.longitude <= 180
    error_message = "longitude must be within [-180, 180]."
  }
}

variable "hostname" {
  description = "Public host name of this region's direct endpoint, e.g. \"us-east.api.example.com\". The Ingress serves it and the beacon advertises https://<hostname> to the edge."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace created for the backend and its Redis."
  type        = string
  default     = "falign"
}

variable "image" {
  description = "Backend container image, pinned by digest or immutable tag, e.g. \"ghcr.io/acme/falign-backend:1.4.2\"."
  type        = string
}

variable "image_pull_secret" {
  description = "Name of an existing docker-registry Secret in the namespace for a private registry; null for a public image."
  type        = string
  default     = null
}

variable "min_replicas" {
  description = "Fewest backend pods the HorizontalPodAutoscaler keeps (also the initial replica count). At least 2 keeps the PodDisruptionBudget satisfiable during node drains."
  type        = number
  default     = 2

  validation {
    condition     = var.min_replicas >= 1
    error_message = "min_replicas must be at least 1."
  }
}

variable "max_replicas" {
  description = "Most backend pods the HorizontalPodAutoscaler may run; bounded by the GPU nodes available in the region."
  type        = number
  default     = 8
}

variable "gpus_per_pod" {
  description = "nvidia.com/gpu units each backend pod requests (and is limited to)."
  type        = number
  default     = 1
}

variable "cpu_request" {
  description = "CPU request of a backend pod; the CPU autoscaling target is a percentage of this."
  type        = string
  default     = "3"
}

variable "memory_request" {
  description = "Memory request of a backend pod (decoded audio, batches, the ONNX session)."
  type        = string
  default     = "12Gi"
}

variable "memory_limit" {
  description = "Memory limit of a backend pod."
  type        = string
  default     = "16Gi"
}

variable "gpu_node_selector" {
  description = "Node labels that select GPU nodes, e.g. {\"nvidia.com/gpu.present\" = \"true\"} (GPU operator) or {\"cloud.google.com/gke-accelerator\" = \"nvidia-l4\"}."
  type        = map(string)
  default     = { "nvidia.com/gpu.present" = "true" }
}

variable "model_volume_size" {
  description = "Size limit of the per-pod volume the init containers fill with the model and its ONNX graphs (FA_MODEL_DIR)."
  type        = string
  default     = "20Gi"
}

variable "model_repo" {
  description = "Hugging Face Hub repository the init container pulls the model from."
  type        = string
  default     = "Qwen/Qwen3-ForcedAligner-0.6B"
}

variable "model_revision" {
  description = "Branch, tag or commit of model_repo; pin a commit so every pod and region serves the same weights (the revision is part of the result-cache key)."
  type        = string
  default     = "main"
}

variable "model_source_env" {
  description = "Extra environment for the model init containers only, e.g. {HF_ENDPOINT = \"https://hf-mirror.internal\"} to pull from a mirror (falign model pull reads HF_ENDPOINT and HF_TOKEN)."
  type        = map(string)
  default     = {}
}

variable "target_cpu_utilization" {
  description = "Average CPU utilisation (percent of the request) the autoscaler aims for."
  type        = number
  default     = 70
}

variable "target_queue_depth_per_pod" {
  description = "Average falign_queue_depth per pod the autoscaler aims for (read through the Prometheus adapter). Keep it well below backend.max_queue_length."
  type        = number
  default     = 16
}

variable "backend" {
  description = "Backend tuning; each attribute maps to one FA_* variable of region-backend/config.ts (defaults are the production choices for a GPU region)."
  type        = object({
    engine                   = optional(string, "qwen3")
    fallback_engine          = optional(string, "dtw")
    device                   = optional(string, "cuda")
    threads                  = optional(number, 0)
    max_batch_size           = optional(number, 16)
    max_queue_delay_ms       = optional(number, 10)
    max_queue_length         = optional(number, 256)
    max_body_bytes           = optional(number, 104857600)
    max_audio_seconds        = optional(number, 3600)
    min_audio_seconds        = optional(number, 0.1)
    max_text_chars           = optional(number, 200000)
    max_wait_seconds         = optional(number, 300)
    breaker_timeout_ms       = optional(number, 600000)
    breaker_error_percent    = optional(number, 50)
    breaker_reset_ms         = optional(number, 30000)
    breaker_volume_threshold = optional(number, 3)
    cache_entries            = optional(number, 10000)
    cache_ttl_seconds        = optional(number, 604800)
    log_level                = optional(string, "info")
    task_ttl_seconds         = optional(number, 86400)
    task_attempts            = optional(number, 5)
    task_lock_ms             = optional(number, 30000)
    task_concurrency         = optional(number, 0)
    max_batch_items          = optional(number, 100)
    # Audio of queued tasks waits in the regional Redis: a pod's own disk dies with the pod.
    blob_store       = optional(string, "redis")
    fetch_max_bytes  = optional(number, 104857600)
    fetch_timeout_ms = optional(number, 30000)
    webhook_attempts = optional(number, 8)
  })
  default = {}

  validation {
    condition     = contains(["auto", "cuda", "cpu"], var.backend.device)
    error_message = "backend.device must be auto, cuda or cpu."
  }

  validation {
    condition     = contains(["auto", "fs", "redis"], var.backend.blob_store)
    error_message = "backend.blob_store must be auto, fs or redis."
  }

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.backend.log_level)
    error_message = "backend.log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "upstash_rest_url" {
  description = "REST URL of the global Upstash database (UPSTASH_REDIS_REST_URL): API keys, beacons, result cache, task status."
  type        = string
}

variable "upstash_rest_token" {
  description = "REST token of the global Upstash database (UPSTASH_REDIS_REST_TOKEN)."
  type        = string
  sensitive   = true
}

variable "internal_secret" {
  description = "Shared HMAC secret the edge signs forwarded requests with (FA_INTERNAL_SECRET); the same value the edge worker holds."
  type        = string
  sensitive   = true
}

variable "webhook_secret" {
  description = "HMAC key that signs webhook deliveries (FA_WEBHOOK_SECRET); the same in every region so customers verify one key whichever region ran their task."
  type        = string
  sensitive   = true
}

variable "redis_image" {
  description = "Image of the regional Redis that holds the queue (TCP, AOF persistence)."
  type        = string
  default     = "redis:7.4.6-alpine"
}

variable "redis_memory_mb" {
  description = "Memory limit of the regional Redis in MiB. It holds queued jobs and, with blob_store = redis, their audio until a worker takes them; Redis refuses writes at 80 % of this (noeviction), which the backend answers with 503."
  type        = number
  default     = 8192
}

variable "redis_storage_size" {
  description = "Persistent volume size of the regional Redis (append-only file); keep it at least twice redis_memory_mb."
  type        = string
  default     = "20Gi"
}

variable "storage_class" {
  description = "StorageClass for the regional Redis volume; null uses the cluster default."
  type        = string
  default     = null
}

variable "ingress_class" {
  description = "IngressClass that serves the regional direct endpoint, e.g. \"nginx\"."
  type        = string
  default     = "nginx"
}

variable "cluster_issuer" {
  description = "cert-manager ClusterIssuer that issues the direct endpoint's TLS certificate."
  type        = string
  default     = "letsencrypt"
}

variable "install_prometheus_adapter" {
  description = "Install prometheus-adapter (Helm) so the autoscaler can read falign_queue_depth; false when the cluster already runs one with the rule from this module."
  type        = bool
  default     = true
}

variable "prometheus_url" {
  description = "In-cluster URL of the Prometheus that scrapes the backends (deploy/prometheus), for the adapter, e.g. \"http://prometheus-operated.monitoring.svc\"."
  type        = string
  default     = "http://prometheus-operated.monitoring.svc"
}

variable "prometheus_adapter_chart_version" {
  description = "Version of the prometheus-community/prometheus-adapter Helm chart."
  type        = string
  default     = "4.11.0"
}
