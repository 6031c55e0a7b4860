import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json>; DependsOn?: string | string[] } & Record<string, Json>>;
  Outputs?: Record<string, { Value: Json }>;
  Parameters?: Record<string, Json>;
  Conditions?: Record<string, Json>;
  [key: string]: Json | undefined;
}

/**
 * The stack's template with each runbook's nested stack folded back in, as if it were one stack:
 * a nested stack's parameters replaced by what the parent passes, the parent's `Outputs.X` of a
 * nested stack replaced by the output's value, and the AWS::CloudFormation::Stack resources gone.
 * The tests ask questions of the whole deployment (every role, every rule) in one template, and
 * this keeps them independent of how it is split. Two nested stacks with one logical id is an error.
 */
export function flatTemplate(stack: Stack): Record<string, unknown> {
  // A copy: toJSON() is the synthesized artifact's own template, which later Template.fromStack calls return.
  const template = structuredClone(Template.fromStack(stack).toJSON()) as TemplateJson;
  const children = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c) && c.nestedStackParent === stack);
  if (children.length === 0) return template;
  const outputsOf = new Map<string, Record<string, { Value: Json }>>();
  for (const child of children) {
    const resourceId = stack.getLogicalId(child.nestedStackResource as never);
    const passed = (template.Resources[resourceId]?.Properties?.Parameters ?? {}) as Record<string, Json>;
    const folded = substitute(flatTemplate(child) as TemplateJson, (node) => {
      const ref = refOf(node);
      return ref !== undefined && ref in passed ? passed[ref] : undefined;
    }) as TemplateJson;
    outputsOf.set(resourceId, folded.Outputs ?? {});
    delete template.Resources[resourceId];
    for (const section of ['Resources', 'Conditions'] as const) {
      for (const [id, value] of Object.entries(folded[section] ?? {})) {
        if (template[section]?.[id] !== undefined) throw new Error(`${section} ${id} is in two stacks`);
        (template[section] ??= {})[id] = value as never;
      }
    }
  }
  // One pass over the whole template once every child is in (not one per child: the template is
  // large and there is a child per runbook). An output's value may name another child's output.
  const outputValue = (node: Json): Json | undefined => {
    const output = nestedOutputOf(node);
    if (output === undefined || !outputsOf.has(output.resourceId)) return undefined;
    const outputs = outputsOf.get(output.resourceId)!;
    if (!(output.name in outputs)) throw new Error(`${output.resourceId} has no output ${output.name}`);
    return substitute(outputs[output.name]!.Value, outputValue);
  };
  Object.assign(template, substitute(template, outputValue));
  for (const resource of Object.values(template.Resources)) {
    if (resource.DependsOn === undefined) continue;
    const dependsOn = [resource.DependsOn].flat().filter((id) => !outputsOf.has(id));
    if (dependsOn.length === 0) delete resource.DependsOn;
    else resource.DependsOn = dependsOn;
  }
  return template;
}

const refOf = (node: Json): string | undefined => {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 && typeof node.Ref === 'string' ? node.Ref : undefined;
};

/** The nested stack and output `X` of `{ "Fn::GetAtt": [<resourceId>, "Outputs.X"] }`. */
const nestedOutputOf = (node: Json): { resourceId: string; name: string } | undefined => {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || Object.keys(node).length !== 1) return undefined;
  const getAtt = node['Fn::GetAtt'];
  if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string' || typeof getAtt[1] !== 'string' || !getAtt[1].startsWith('Outputs.')) return undefined;
  return { resourceId: getAtt[0], name: getAtt[1].slice('Outputs.'.length) };
};

/** A copy of `node` with every sub-node `replace` answers for replaced (its answer is not searched again). */
function substitute(node: Json | TemplateJson, replace: (node: Json) => Json | undefined): Json {
  const replaced = replace(node as Json);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(node)) return node.map((n) => substitute(n, replace));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v as Json, replace)]));
}
