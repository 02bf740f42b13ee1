import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  clusterBackupProblems,
  clusterProblems,
  clusterSecretKeysUsed,
  clusterSpreadProblems,
  clusterStorageProblems,
  connectionProblems,
  databaseClusters,
  guaranteedProblems,
  sidecarProblems,
} from './database-checks';
import { schemaProblems } from './kubernetes-schemas';
import {
  DATA_MEMBERS,
  editedCopy,
  GKE_STORAGE_CLASSES,
  overlayNames,
  parseYamlDocuments,
  renderKustomization,
  renderOverlay,
  type KubeObject,
} from './kustomize';
import { containerProblems, containersOf, ofKind, podOwners, selects, shapeOf } from './manifest-checks';
import { deployableFolders, k8sDir, root, secretsCreated } from './repository';

const backendServices = () => deployableFolders().filter((f) => f !== 'client');
const operatorDir = join(k8sDir, 'operator');
const restoreDir = join(k8sDir, 'overlays', 'gke', 'restore');
const readYaml = (file: string) => parseYamlDocuments(readFileSync(file, 'utf8'));

/** The operator's version as infra/k8s/operator deploys it (its image's tag). */
function operatorVersion(objects: KubeObject[]): string | undefined {
  const deployment = ofKind(objects, 'Deployment').find((d) => d.metadata.name === 'percona-server-mongodb-operator');
  return /:(\d+\.\d+\.\d+)$/.exec(containersOf(deployment!)[0].image)?.[1];
}

describe.each(overlayNames())('databases in overlay %s', (overlay) => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('has one PerconaServerMongoDB per backend service, each identical but for its name', () => {
    const clusters = databaseClusters(objects);
    expect(clusters.map((c) => c.metadata.name).sort()).toEqual(
      backendServices()
        .map((s) => `${s}-mongo`)
        .sort(),
    );
    const shapes = new Set(clusters.map((c) => shapeOf(c, c.metadata.name.replace(/-mongo$/, ''))));
    expect(shapes.size).toBe(1);
  });

  it(`runs each as one replica set of ${DATA_MEMBERS[overlay]} member(s), with the operator's probes and budget`, () => {
    expect(clusterProblems(objects, DATA_MEMBERS[overlay]!)).toEqual([]);
    expect(clusterSpreadProblems(objects)).toEqual([]);
  });

  it('states the size of every database volume (and, on GKE, its storage class)', () => {
    expect(clusterStorageProblems(objects, overlay === 'gke' ? GKE_STORAGE_CLASSES : undefined)).toEqual([]);
  });

  it("gives the databases' sidecars probes, requests, limits and the security settings", () => {
    expect(sidecarProblems(objects)).toEqual([]);
  });

  it('connects every backend service as its own user, readWrite on its own database only, with majority writes', () => {
    const connected = podOwners(objects).filter((o) =>
      containersOf(o).some((c) => c.env?.some((e: { name: string }) => e.name === 'MONGO_URL')),
    );
    expect(connected.map((o) => o.metadata.name).sort()).toEqual(backendServices().sort());
    expect(connectionProblems(objects)).toEqual([]);
  });

  it('gives the operator only secrets that infra/k8s/create-secrets.sh creates, with every system-user key', () => {
    const created = secretsCreated();
    expect(clusterSecretKeysUsed(objects).filter((used) => !created.includes(used))).toEqual([]);
  });

  it('runs no MongoDB process of its own: no init, ping or dump job beside the operator', () => {
    const ours = podOwners(objects).filter((o) =>
      containersOf(o).some((c) => /(^|\/)(mongo|percona-server-mongodb|percona-backup-mongodb)[:@]/.test(c.image)),
    );
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  it('writes every resource for the operator version infra/k8s/operator installs', () => {
    const version = operatorVersion(renderKustomization(operatorDir));
    expect(databaseClusters(objects).map((c) => c.spec.crVersion)).toEqual(
      databaseClusters(objects).map(() => version),
    );
  });
});

describe('databases in overlay gke, also', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });

  it('backs every database up continuously (point-in-time recovery) to Cloud Storage through Workload Identity', () => {
    expect(clusterBackupProblems(objects)).toEqual([]);
  });

  it('gives every database container Guaranteed QoS (requests equal to limits)', () => {
    expect(guaranteedProblems(objects)).toEqual([]);
  });

  it("scrapes every database member's exporter, whose backup metrics the alerts read", () => {
    const monitors = ofKind(objects, 'PodMonitoring');
    for (const cluster of databaseClusters(objects)) {
      const labels = cluster.spec.replsets[0].labels;
      const scraping = monitors.filter(
        (m) => selects(m.spec.selector, labels) && m.spec.endpoints.some((e: { port: string }) => e.port === 'metrics'),
      );
      expect({ cluster: cluster.metadata.name, scraping: scraping.length }).toEqual({
        cluster: cluster.metadata.name,
        scraping: 1,
      });
    }
    const expressions = ofKind(objects, 'Rules').flatMap((r) =>
      r.spec.groups.flatMap((g: { rules: { expr: string }[] }) => g.rules.map((rule) => rule.expr)),
    );
    for (const metric of ['mongodb_pbm_backup_size_bytes', 'mongodb_pbm_cluster_pitr_backup_enabled'])
      expect(expressions.some((e) => e.includes(metric))).toBe(true);
  });
});

describe('the operator (infra/k8s/operator)', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderKustomization(operatorDir);
  });

  it('validates against the Kubernetes schemas, and its pod has probes, requests, limits and the security settings', () => {
    expect(schemaProblems(objects)).toEqual([]);
    expect(containerProblems(objects)).toEqual([]);
  });

  it('watches the namespace the overlays deploy to, from a namespace of its own', () => {
    const namespaces = new Set(
      overlayNames().flatMap((o) => databaseClusters(renderOverlay(o)).map((c) => c.metadata.namespace)),
    );
    const deployment = ofKind(objects, 'Deployment')[0]!;
    const watch = containersOf(deployment)[0].env.find((e: { name: string }) => e.name === 'WATCH_NAMESPACE');
    expect([...namespaces]).toEqual([watch.value]);
    expect(deployment.metadata.namespace).not.toBe(watch.value);
  });

  it('is one pinned version everywhere: its image, the CRDs the README applies, the vendored CRD schemas', () => {
    const version = operatorVersion(objects);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const readme = readFileSync(join(k8sDir, 'README.md'), 'utf8');
    const crdUrls = [...readme.matchAll(/percona-server-mongodb-operator\/(v[\d.]+)\/deploy\/crd\.yaml/g)];
    expect(crdUrls.length).toBeGreaterThan(0);
    expect(new Set(crdUrls.map(([, tag]) => tag))).toEqual(new Set([`v${version}`]));
    for (const kind of ['perconaservermongodbs', 'perconaservermongodbbackups', 'perconaservermongodbrestores']) {
      const header = readFileSync(
        join(root, 'infra', 'src', 'k8s', 'crd-schemas', `psmdb.percona.com_${kind}.v1.yaml`),
        'utf8',
      ).slice(0, 400);
      expect(header).toContain(`deploy/crd.yaml at tag v${version}`);
    }
  });
});

describe('the backup and restore manifests (overlays/gke/restore, applied by hand)', () => {
  const restores = () => [...readYaml(join(restoreDir, 'restore.yaml')), ...readYaml(join(restoreDir, 'drill.yaml'))];

  it("validate against the operator's CRD schemas, and back up to a database's own storage", () => {
    const [backup] = readYaml(join(restoreDir, 'backup-now.yaml'));
    expect(schemaProblems([backup!, ...restores()])).toEqual([]);
    const cluster = databaseClusters(renderOverlay('gke')).find((c) => c.metadata.name === backup!.spec.clusterName);
    expect(Object.keys(cluster?.spec.backup.storages ?? {})).toContain(backup!.spec.storageName);
  });

  it("give their point in time in the form the CRD's validation rule demands", () => {
    const schema = parse(
      readFileSync(
        join(root, 'infra', 'src', 'k8s', 'crd-schemas', 'psmdb.percona.com_perconaservermongodbrestores.v1.yaml'),
        'utf8',
      ),
    );
    const rule: string = schema.properties.spec.properties.pitr['x-kubernetes-validations'][0].rule;
    const pattern = new RegExp(/matches\('(.+)'\)/.exec(rule)![1]!);
    for (const restore of ofKind(restores(), 'PerconaServerMongoDBRestore')) {
      expect(restore.spec.pitr.type).toBe('date');
      expect(restore.spec.pitr.date).toMatch(pattern);
    }
  });

  it('restore a deployed database in place, and drill on a scratch one that reads its backups and writes none', () => {
    const deployed = databaseClusters(renderOverlay('gke'));
    const [inPlace] = ofKind(readYaml(join(restoreDir, 'restore.yaml')), 'PerconaServerMongoDBRestore');
    expect(deployed.map((c) => c.metadata.name)).toContain(inPlace!.spec.clusterName);
    const drill = readYaml(join(restoreDir, 'drill.yaml'));
    const [scratch] = databaseClusters(drill);
    const [drillRestore] = ofKind(drill, 'PerconaServerMongoDBRestore');
    expect(drillRestore!.spec.clusterName).toBe(scratch!.metadata.name);
    const production = deployed.find((c) => scratch!.metadata.name.startsWith(`${c.metadata.name}-`))!;
    expect(scratch!.spec.backup.storages.gcs.gcs.prefix).toBe(production.spec.backup.storages.gcs.gcs.prefix);
    expect(drillRestore!.spec.backupSource.destination).toMatch(
      new RegExp(`^gs://[^/]+/${production.spec.backup.storages.gcs.gcs.prefix}/[^/]+$`),
    );
    expect(scratch!.spec.backup.tasks ?? []).toEqual([]);
    expect(scratch!.spec.backup.pitr?.enabled ?? false).toBe(false);
  });
});

describe('the database checks catch real mistakes', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });
  const broken = (edit: (copy: KubeObject[]) => void) => editedCopy(objects, edit);
  const cluster = (copy: KubeObject[], name: string) => databaseClusters(copy).find((c) => c.metadata.name === name)!;
  const mongoUrl = (copy: KubeObject[], service: string) =>
    containersOf(copy.find((o) => o.kind === 'Deployment' && o.metadata.name === service)!)[0].env.find(
      (e: { name: string }) => e.name === 'MONGO_URL',
    );

  it('a field the CRD does not have', () => {
    expect(schemaProblems(broken((c) => (cluster(c, 'auth-mongo').spec.replsets[0].sizee = 3)))).not.toEqual([]);
  });
  it('a member count other than promised, or one member without the unsafe flag', () => {
    expect(
      clusterProblems(
        broken((c) => (cluster(c, 'posts-mongo').spec.replsets[0].size = 5)),
        3,
      ),
    ).not.toEqual([]);
    expect(
      clusterProblems(
        broken((c) => (cluster(c, 'posts-mongo').spec.replsets[0].size = 1)),
        1,
      ),
    ).not.toEqual([]);
  });
  it("a readiness probe of our own in place of the operator's", () => {
    expect(
      clusterProblems(
        broken((c) => (cluster(c, 'query-mongo').spec.replsets[0].readinessProbe = { tcpSocket: { port: 27017 } })),
        3,
      ),
    ).not.toEqual([]);
  });
  it('members that may share a zone', () => {
    expect(
      clusterSpreadProblems(
        broken(
          (c) =>
            (cluster(c, 'auth-mongo').spec.replsets[0].affinity.antiAffinityTopologyKey = 'kubernetes.io/hostname'),
        ),
      ),
    ).not.toEqual([]);
  });
  it('a MONGO_URL without majority writes, to another database, or as a user of wider rights', () => {
    expect(
      connectionProblems(
        broken((c) => (mongoUrl(c, 'comments').value = mongoUrl(c, 'comments').value.replace('&w=majority', ''))),
      ),
    ).not.toEqual([]);
    expect(
      connectionProblems(
        broken(
          (c) =>
            (mongoUrl(c, 'comments').value = mongoUrl(c, 'comments').value.replace(
              'comments-mongo-rs0',
              'posts-mongo-rs0',
            )),
        ),
      ),
    ).not.toEqual([]);
    expect(
      connectionProblems(
        broken((c) => (cluster(c, 'auth-mongo').spec.users[0].roles = [{ name: 'readWriteAnyDatabase', db: 'admin' }])),
      ),
    ).not.toEqual([]);
    expect(
      connectionProblems(
        broken((c) => (cluster(c, 'auth-mongo').spec.users[0].passwordSecretRef.name = 'auth-mongo-other')),
      ),
    ).not.toEqual([]);
  });
  it('a system-users Secret the script does not fill', () => {
    const created = secretsCreated();
    const used = clusterSecretKeysUsed(
      broken((c) => (cluster(c, 'auth-mongo').spec.secrets.users = 'auth-mongo-secrets')),
    );
    expect(used.filter((u) => !created.includes(u))).not.toEqual([]);
  });
  it('a backup with a key, without point-in-time recovery, or without a schedule', () => {
    expect(
      clusterBackupProblems(
        broken((c) => (cluster(c, 'auth-mongo').spec.backup.storages.gcs.gcs.credentialsSecret = 'gcs-key')),
      ),
    ).not.toEqual([]);
    expect(
      clusterBackupProblems(broken((c) => (cluster(c, 'auth-mongo').spec.backup.pitr.enabled = false))),
    ).not.toEqual([]);
    expect(clusterBackupProblems(broken((c) => (cluster(c, 'auth-mongo').spec.backup.tasks = [])))).not.toEqual([]);
  });
  it('a container whose limit is above its request (Burstable)', () => {
    expect(
      guaranteedProblems(
        broken((c) => (cluster(c, 'moderation-mongo').spec.replsets[0].resources.limits.memory = '2Gi')),
      ),
    ).not.toEqual([]);
  });
});
