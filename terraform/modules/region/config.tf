# Every setting the backend reads (BACKEND_ENV in region-backend/config.ts) comes from exactly one of
# these two objects: plain settings from the ConfigMap, credentials from the Secret.
# test/terraform checks that the union of their keys is exactly BACKEND_ENV.

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/part-of" = "falign" }
  }
}

resource "kubernetes_config_map_v1" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  data = {
    FA_HOST                     = "0.0.0.0"
    FA_PORT                     = tostring(local.http_port)
    FA_REGION                   = var.name
    FA_PUBLIC_URL               = local.public_url
    FA_LATITUDE                 = tostring(var.latitude)
    FA_LONGITUDE                = tostring(var.longitude)
    FA_ENGINE                   = var.backend.engine
    FA_FALLBACK_ENGINE          = var.backend.fallback_engine
    FA_MODEL_DIR                = local.model_dir
    FA_DEVICE                   = var.backend.device
    FA_THREADS                  = tostring(var.backend.threads)
    FA_MAX_BATCH_SIZE           = tostring(var.backend.max_batch_size)
    FA_MAX_QUEUE_DELAY_MS       = tostring(var.backend.max_queue_delay_ms)
    FA_MAX_QUEUE_LENGTH         = tostring(var.backend.max_queue_length)
    FA_MAX_BODY_BYTES           = tostring(var.backend.max_body_bytes)
    FA_MAX_AUDIO_SECONDS        = tostring(var.backend.max_audio_seconds)
    FA_MIN_AUDIO_SECONDS        = tostring(var.backend.min_audio_seconds)
    FA_MAX_TEXT_CHARS           = tostring(var.backend.max_text_chars)
    FA_MAX_WAIT_SECONDS         = tostring(var.backend.max_wait_seconds)
    FA_BREAKER_TIMEOUT_MS       = tostring(var.backend.breaker_timeout_ms)
    FA_BREAKER_ERROR_PERCENT    = tostring(var.backend.breaker_error_percent)
    FA_BREAKER_RESET_MS         = tostring(var.backend.breaker_reset_ms)
    FA_BREAKER_VOLUME_THRESHOLD = tostring(var.backend.breaker_volume_threshold)
    FA_CACHE_ENTRIES            = tostring(var.backend.cache_entries)
    FA_CACHE_TTL_SECONDS        = tostring(var.backend.cache_ttl_seconds)
    UPSTASH_REDIS_REST_URL      = var.upstash_rest_url
    # Empty is "not set": with UPSTASH_REDIS_REST_URL set, API keys live in global Redis, shared
    # with the edge; the key file is the store of a backend running without one.
    FA_KEYS_FILE        = ""
    FA_DATA_DIR         = local.data_dir
    FA_LOG_LEVEL        = var.backend.log_level
    FA_TASK_TTL_SECONDS = tostring(var.backend.task_ttl_seconds)
    FA_TASK_ATTEMPTS    = tostring(var.backend.task_attempts)
    FA_TASK_LOCK_MS     = tostring(var.backend.task_lock_ms)
    FA_TASK_CONCURRENCY = tostring(var.backend.task_concurrency)
    FA_MAX_BATCH_ITEMS  = tostring(var.backend.max_batch_items)
    FA_BLOB_STORE       = var.backend.blob_store
    FA_FETCH_MAX_BYTES  = tostring(var.backend.fetch_max_bytes)
    FA_FETCH_TIMEOUT_MS = tostring(var.backend.fetch_timeout_ms)
    FA_WEBHOOK_ATTEMPTS = tostring(var.backend.webhook_attempts)
    # Development only (lets audio_url reach private addresses); never in production.
    FA_FETCH_ALLOW_HOSTS = ""
  }
}

resource "kubernetes_secret_v1" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  type = "Opaque"
  data = {
    UPSTASH_REDIS_REST_TOKEN = var.upstash_rest_token
    FA_INTERNAL_SECRET       = var.internal_secret
    FA_WEBHOOK_SECRET        = var.webhook_secret
    FA_REDIS_URL             = "redis://:${random_password.redis.result}@${local.redis_host}:6379/0"
  }
}
