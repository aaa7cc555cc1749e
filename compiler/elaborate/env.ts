// Lexical environments for compile-time names and forward locals.
import type { Value } from "./values.js";

export interface Env {
  lookup(name: string): Value | undefined;
  /** Every visible name, for "did you mean" suggestions. */
  names(): string[];
}

export class Scope implements Env {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Env) {}
  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  has(name: string): boolean {
    return this.vars.has(name);
  }
  hasOwn(name: string): boolean {
    return this.vars.has(name);
  }
  define(name: string, v: Value): void {
    this.vars.set(name, v);
  }
  /** Reassigns the nearest definition; false when the name is not defined anywhere in this chain of Scopes. */
  assign(name: string, v: Value): boolean {
    if (this.vars.has(name)) {
      this.vars.set(name, v);
      return true;
    }
    return this.parent instanceof Scope ? this.parent.assign(name, v) : false;
  }
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
  ownEntries(): [string, Value][] {
    return [...this.vars];
  }
}

export class MapEnv implements Env {
  constructor(private readonly map: ReadonlyMap<string, Value>, private readonly parent?: Env) {}
  lookup(name: string): Value | undefined {
    return this.map.get(name) ?? this.parent?.lookup(name);
  }
  names(): string[] {
    return [...this.map.keys(), ...(this.parent?.names() ?? [])];
  }
}
