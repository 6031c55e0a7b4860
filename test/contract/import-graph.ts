/**
 * The project's import graph, read with the TypeScript compiler's parser (no type checking): for
 * each source file, the project files it imports, `import type` included (a type-only import
 * still ties two files together). Imports of packages are kept by name, for the handler check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export const ROOT = path.join(__dirname, '..', '..');

/** The source folders: everything but tests, fixtures, generated files and packages. */
export const SOURCE_DIRS = ['bin', 'lib', 'lambdas', 'runbooks', 'drill', 'statemachines', 'tools', 'bench'] as const;

export interface Import {
  /** A project file, relative to the root ("lambdas/shared/env.ts"), or a package name ("aws-cdk-lib"). */
  readonly to: string;
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? specifier : specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (candidate.endsWith('.ts') && fs.existsSync(path.join(ROOT, candidate))) return candidate;
  }
  return base;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const out: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) out.push({ to: resolve(file, specifier.text), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      add(node.moduleSpecifier, !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly))));
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The source folders and the tests: no circle anywhere (the tests' own helpers included). */
export const CIRCLE_DIRS = [...SOURCE_DIRS, 'test'] as const;

const graphs = new Map<string, ReadonlyMap<string, readonly Import[]>>();

/** Every file of the folders (the source folders by default) and what it imports. */
export function importGraph(dirs: readonly string[] = SOURCE_DIRS): ReadonlyMap<string, readonly Import[]> {
  const key = dirs.join(',');
  let graph = graphs.get(key);
  if (!graph) graphs.set(key, (graph = new Map(dirs.flatMap(sourceFiles).map((file) => [file, importsOf(file)]))));
  return graph;
}

/** Every project file and package `file` loads when it runs (type-only imports left out), itself included. */
export function runtimeClosure(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const queue = [file];
  while (queue.length > 0) {
    for (const { to, typeOnly } of importGraph().get(queue.pop()!) ?? []) {
      if (typeOnly || seen.has(to)) continue;
      seen.add(to);
      if (to.endsWith('.ts')) queue.push(to);
    }
  }
  return seen;
}

/** The import circles: each a list of files, the first repeated at the end (Tarjan's strongly connected components). */
export function importCircles(dirs: readonly string[] = CIRCLE_DIRS): string[][] {
  const graph = importGraph(dirs);
  const edges = new Map([...graph].map(([file, imports]) => [file, [...new Set(imports.map((i) => i.to).filter((to) => graph.has(to)))]]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) connect(v);
  // Each component as one circle through its files, for a sentence a person can follow.
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const circle = [start];
    let at = start;
    const visited = new Set([start]);
    for (;;) {
      const to = (edges.get(at) ?? []).find((w) => members.has(w) && (w === start ? circle.length > 1 : !visited.has(w)));
      if (!to) break;
      circle.push(to);
      if (to === start) break;
      visited.add(to);
      at = to;
    }
    return circle;
  });
}
