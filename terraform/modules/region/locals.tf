locals {
  public_url = "https://${var.hostname}"

  # Where the backend listens inside the pod; the Service and probes target it by name.
  http_port  = 8080
  model_root = "/models"
  # The model directory itself (config.json, model.safetensors, onnx/), as FA_MODEL_DIR names it.
  model_dir = "/models/qwen3-forced-aligner-0.6b"
  data_dir  = "/data"

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

  # Run in this order before the server starts; both are no-ops when the volume already holds
  # the files (pull resumes and verifies, build skips graphs whose inputs are unchanged).
  model_init_steps = [
    {
      name    = "model-pull"
      command = ["falign", "model", "pull", "--repo", var.model_repo, "--revision", var.model_revision, "--dir", local.model_dir]
    },
    {
      name    = "model-build"
      command = ["falign", "model", "build", "--model-dir", local.model_dir]
    },
  ]
}
