import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as gatewayV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as gkeNetworkingV1 from '@kubernetes-models/gke/networking.gke.io/v1';
import Ajv from 'ajv';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { parse } from 'yaml';
import type { KubeObject } from './kustomize';
import { root } from './repository';

type Model = new (data: KubeObject) => { validate(): void };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonSchema = Record<string, any>;

/**
 * A model for a custom resource whose CRD no package ships: its upstream
 * openAPIV3Schema, vendored in crd-schemas/ (each file says where from).
 * Fields the schema does not name are errors, as they are to `kubectl apply`
 * (strict field validation) against the real CRD.
 */
function crdModel(file: string): Model {
  // The Percona schemas write repeated subtrees once (YAML aliases), over a thousand times.
  const schema = rejectUnknownFields(
    parse(readFileSync(join(root, 'infra', 'src', 'k8s', 'crd-schemas', file), 'utf8'), { maxAliasCount: -1 }),
  );
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  return class {
    constructor(private readonly data: KubeObject) {}
    validate() {
      if (!validate(this.data)) throw new Error(JSON.stringify(validate.errors));
    }
  };
}

function rejectUnknownFields(schema: JsonSchema): JsonSchema {
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields'])
    schema.additionalProperties = false;
  for (const child of [
    ...Object.values(schema.properties ?? {}),
    schema.items,
    schema.additionalProperties,
    ...(schema.anyOf ?? []),
  ]) {
    if (child && typeof child === 'object') rejectUnknownFields(child);
  }
  return schema;
}

/**
 * The schema models for every apiVersion our manifests use. An object of any
 * other apiVersion or kind is reported, not skipped: nothing ships unvalidated.
 */
const MODELS_BY_API_VERSION: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'gateway.networking.k8s.io/v1': gatewayV1,
  'networking.gke.io/v1': gkeNetworkingV1,
  // Google Cloud Managed Service for Prometheus.
  'monitoring.googleapis.com/v1': {
    PodMonitoring: crdModel('monitoring.googleapis.com_podmonitorings.v1.yaml'),
    Rules: crdModel('monitoring.googleapis.com_rules.v1.yaml'),
  },
  // The Percona Operator for MongoDB (the version infra/k8s/operator installs).
  'psmdb.percona.com/v1': {
    PerconaServerMongoDB: crdModel('psmdb.percona.com_perconaservermongodbs.v1.yaml'),
    PerconaServerMongoDBBackup: crdModel('psmdb.percona.com_perconaservermongodbbackups.v1.yaml'),
    PerconaServerMongoDBRestore: crdModel('psmdb.percona.com_perconaservermongodbrestores.v1.yaml'),
  },
};

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
