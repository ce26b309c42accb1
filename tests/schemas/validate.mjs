// Validate Kubernetes custom resources against the CRD schemas published in the @kubernetes-models npm packages.
// Reads a JSON array of objects on stdin; prints a JSON array, one entry per object: {"kind", "ok", "error"}.
// Test-only (tests/test_schemas.py); the versions are pinned in package.json / package-lock.json.
import { PodMonitor, PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";

const MODELS = {
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
};

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  if (!Model) return { kind: key, ok: false, error: `no schema for ${key}` };
  try {
    new Model(object).validate();
    return { kind: key, ok: true, error: "" };
  } catch (err) {
    return { kind: key, ok: false, error: String(err && err.message ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify(results) + "\n");
