# The backend pods: one GPU each, the model fetched and its ONNX graphs built by init containers
# (`falign model pull`, `falign model build` into FA_MODEL_DIR), then `falign serve`. Replicas
# belong to the HorizontalPodAutoscaler after the first apply.

resource "kubernetes_deployment_v1" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  wait_for_rollout = true

  spec {
    replicas = var.min_replicas

    selector {
      match_labels = local.selector
    }

    strategy {
      type = "RollingUpdate"
      rolling_update {
        # Never drop below the serving capacity during a rollout; a surge pod needs a free GPU.
        max_surge       = "1"
        max_unavailable = "0"
      }
    }

    template {
      metadata {
        labels      = local.labels
        annotations = {
          "prometheus.io/scrape" = "true"
          "prometheus.io/port"   = tostring(local.http_port)
          "prometheus.io/path"   = "/metrics"
          # A changed setting rolls the pods; env_from alone would not.
          "falign.dev/config-sha" = sha256(jsonencode(kubernetes_config_map_v1.backend.data))
          "falign.dev/secret-sha" = nonsensitive(sha256(jsonencode(kubernetes_secret_v1.backend.data)))
        }
      }

      spec {
        node_selector                    = var.gpu_node_selector
        termination_grace_period_seconds = 120

        dynamic "image_pull_secrets" {
          for_each = var.image_pull_secret == null ? [] : [var.image_pull_secret]
          content {
            name = image_pull_secrets.value
          }
        }

        toleration {
          key      = "nvidia.com/gpu"
          operator = "Exists"
          effect   = "NoSchedule"
        }

        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "topology.kubernetes.io/zone"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.selector
          }
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001
          fs_group        = 10001
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        dynamic "init_container" {
          for_each = local.needs_model ? local.model_init_steps : []
          content {
            name    = init_container.value.name
            image   = var.image
            command = init_container.value.command

            env_from {
              config_map_ref {
                name = kubernetes_config_map_v1.backend.metadata[0].name
              }
            }

            dynamic "env" {
              for_each = var.model_source_env
              content {
                name  = env.key
                value = env.value
              }
            }

            resources {
              requests = { cpu = "2", memory = "8Gi" }
              limits   = { memory = var.memory_limit }
            }

            security_context {
              allow_privilege_escalation = false
              read_only_root_filesystem  = true
              capabilities {
                drop = ["ALL"]
              }
            }

            volume_mount {
              name       = "models"
              mount_path = local.model_root
            }
            volume_mount {
              name       = "tmp"
              mount_path = "/tmp"
            }
          }
        }

        container {
          name  = "backend"
          image = var.image
          args  = ["serve"]

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.backend.metadata[0].name
            }
          }
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.backend.metadata[0].name
            }
          }

          port {
            name           = "http"
            container_port = local.http_port
          }

          resources {
            requests = {
              cpu              = var.cpu_request
              memory           = var.memory_request
              "nvidia.com/gpu" = tostring(var.gpus_per_pod)
            }
            limits = {
              memory           = var.memory_limit
              "nvidia.com/gpu" = tostring(var.gpus_per_pod)
            }
          }

          # Loading the engine (ONNX session on the GPU, warm-up) takes a while; liveness waits.
          startup_probe {
            http_get {
              path = "/health"
              port = "http"
            }
            period_seconds    = 5
            failure_threshold = 120
          }

          liveness_probe {
            http_get {
              path = "/health"
              port = "http"
            }
            period_seconds    = 10
            timeout_seconds   = 5
            failure_threshold = 3
          }

          # Not ready while the engine warms up, the breaker is open or the queue is full: the
          # Service stops sending it traffic, while the edge reads the same state from beacons.
          readiness_probe {
            http_get {
              path = "/ready"
              port = "http"
            }
            period_seconds    = 5
            timeout_seconds   = 3
            failure_threshold = 2
          }

          lifecycle {
            # Give endpoints and the edge (beacon TTL) time to stop routing here before SIGTERM.
            pre_stop {
              exec {
                command = ["sleep", "15"]
              }
            }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "models"
            mount_path = local.model_root
            read_only  = true
          }
          volume_mount {
            name       = "data"
            mount_path = local.data_dir
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "models"
          empty_dir {
            size_limit = var.model_volume_size
          }
        }
        volume {
          name = "data"
          empty_dir {
            size_limit = "20Gi"
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            size_limit = "2Gi"
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [spec[0].replicas]
  }
}
