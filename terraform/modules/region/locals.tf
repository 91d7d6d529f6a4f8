locals {
  public_url = "https://${var.hostname}"

  # Where the backend listens inside the pod; the Service and probes target it by name.
  http_port = 8080
  model_dir = "/models"
  data_dir  = "/data"
  keys_dir  = "/etc/falign/keys"

  labels = {
    "app.kubernetes.io/name"       = "falign-backend"
    "app.kubernetes.io/part-of"    = "falign"
    "app.kubernetes.io/managed-by" = "terraform"
    "falign.dev/region"            = var.name
  }
  selector = {
    "app.kubernetes.io/name" = "falign-backend"
  }

  redis_labels = {
    "app.kubernetes.io/name"    = "falign-redis"
    "app.kubernetes.io/part-of" = "falign"
  }
  redis_host = "falign-redis.${var.namespace}.svc.cluster.local"

  # Only the qwen3 engine needs weights; the dtw engine is weights-free.
  needs_model = var.backend.engine == "qwen3" || var.backend.fallback_engine == "qwen3"
}
