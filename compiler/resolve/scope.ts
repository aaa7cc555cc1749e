// File scopes: what names a file sees (its own declarations and what it imports).
import type { Decl, FileAst } from "../ast/ast.js";

export interface DeclRef {
  readonly decl: Decl;
  /** The scope of the file that declares it (a block's body resolves names there). */
  readonly home: FileScope;
}

export interface FileScope {
  readonly path: string;
  readonly ast: FileAst;
  readonly names: Map<string, DeclRef>;
  /** How each import resolved, in order: the imported file's path, or `missing:SPEC` /
   *  `escape:SPEC`. What a file's meaning depends on besides its own text. */
  readonly deps: string[];
}
