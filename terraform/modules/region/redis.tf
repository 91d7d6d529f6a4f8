# The regional Redis: the BullMQ queue and job payloads of this region only (global state lives in
# Upstash). One replica with an append-only file on a persistent volume: a restarted Redis keeps
# its queued jobs, and a job a dead worker held is retried, so nothing accepted is lost.
# Plain manifests on the official image rather than a chart: nothing else to pin or trust.

resource "random_password" "redis" {
  length  = 40
  special = false # it travels inside FA_REDIS_URL
}

resource "kubernetes_secret_v1" "redis" {
  metadata {
    name      = "falign-redis"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.redis_labels
  }

  type = "Opaque"
  data = { REDIS_PASSWORD = random_password.redis.result }
}

resource "kubernetes_service_v1" "redis" {
  metadata {
    name      = "falign-redis"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.redis_labels
  }

  spec {
    selector = local.redis_labels

    port {
      name        = "redis"
      port        = 6379
      target_port = "redis"
    }
  }
}

resource "kubernetes_stateful_set_v1" "redis" {
  metadata {
    name      = "falign-redis"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.redis_labels
  }

  spec {
    service_name = kubernetes_service_v1.redis.metadata[0].name
    replicas     = 1

    selector {
      match_labels = local.redis_labels
    }

    template {
      metadata {
        labels = local.redis_labels
      }

      spec {
        security_context {
          run_as_non_root = true
          run_as_user     = 999
          fs_group        = 999
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name  = "redis"
          image = var.redis_image
          # BullMQ requires noeviction: an evicted job key would be a lost job.
          args = [
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--maxmemory", "${floor(var.redis_memory_mb * 0.8)}mb",
            "--maxmemory-policy", "noeviction",
            "--requirepass", "$(REDIS_PASSWORD)",
          ]

          env_from {
            secret_ref {
              name = kubernetes_secret_v1.redis.metadata[0].name
            }
          }

          port {
            name           = "redis"
            container_port = 6379
          }

          resources {
            requests = { cpu = "500m", memory = "${var.redis_memory_mb}Mi" }
            limits   = { memory = "${var.redis_memory_mb}Mi" }
          }

          readiness_probe {
            exec {
              command = ["sh", "-c", "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"]
            }
            period_seconds = 5
          }

          liveness_probe {
            tcp_socket {
              port = "redis"
            }
            initial_delay_seconds = 10
            period_seconds        = 10
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "data"
            mount_path = "/data"
          }
        }
      }
    }

    volume_claim_template {
      metadata {
        name = "data"
      }

      spec {
        access_modes       = ["ReadWriteOnce"]
        storage_class_name = var.storage_class
        resources {
          requests = { storage = var.redis_storage_size }
        }
      }
    }
  }
}
