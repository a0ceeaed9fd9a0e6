/**
 * Offline validation of Kubernetes manifests, as far as it goes without a cluster: the Kubernetes
 * OpenAPI schema (kubernetes-models' validators: types, required fields, enums) plus, since that
 * schema lets unknown fields through, every field checked against the official client's models
 * (@kubernetes/client-node's attributeTypeMap), so a misspelt field is an error too.
 */
import * as k8s from '@kubernetes/client-node';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';

type Model = { attributeTypeMap?: { name: string; baseName: string; type: string }[] };

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === undefined || value === null) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) out.push(`${path}: expected a list`);
    else value.forEach((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value as object)) unknownFields(v, map[1]!, `${path}.${k}`, out);
    return;
  }
  const model = (k8s as unknown as Record<string, Model | undefined>)[type];
  if (!model?.attributeTypeMap) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an object (${type})`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const attr = model.attributeTypeMap.find((a) => a.baseName === k);
    if (!attr) out.push(`${path}.${k}: no such field in ${type}`);
    else unknownFields(v, attr.type, `${path}.${k}`, out);
  }
}

/** The problems of one manifest; empty when it validates. */
export function validateManifest(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const kind = `${String(doc['apiVersion'])}/${String(doc['kind'])}`;
  const schema = kind === 'batch/v1/Job' ? { cls: Job, model: 'V1Job' } : kind === 'v1/PersistentVolumeClaim' ? { cls: PersistentVolumeClaim, model: 'V1PersistentVolumeClaim' } : undefined;
  if (!schema) return [`${kind}: not a kind this check knows`];
  try {
    new schema.cls(doc as never).validate();
  } catch (err) {
    out.push(...(err as Error).message.split(', '));
  }
  unknownFields(doc, schema.model, kind, out);
  return out;
}
