"""What runs Triton's monitoring: the compose stack (:mod:`.compose`), Kubernetes manifests
(:mod:`.kubernetes`) and autoscaling on the dashboards' numbers (:mod:`.autoscale`)."""
