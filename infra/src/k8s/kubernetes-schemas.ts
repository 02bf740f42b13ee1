import * as gatewayV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as gkeNetworkingV1 from '@kubernetes-models/gke/networking.gke.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import type { KubeObject } from './kustomize';

/**
 * The schema models for every apiVersion our manifests use. An object of any
 * other apiVersion or kind is reported, not skipped: nothing ships unvalidated.
 */
const MODELS_BY_API_VERSION: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'gateway.networking.k8s.io/v1': gatewayV1,
  'networking.gke.io/v1': gkeNetworkingV1,
};

type Model = new (data: KubeObject) => { validate(): void };

/** Problems found by validating each object against its Kubernetes (or CRD) OpenAPI schema. */
export function schemaProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata?.name}`;
    const model = MODELS_BY_API_VERSION[object.apiVersion]?.[object.kind] as Model | undefined;
    if (!model) {
      problems.push(`${where}: no schema known for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  return problems;
}
