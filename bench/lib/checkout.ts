import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Another commit's source tree beside this checkout; `remove` deletes it and its worktree entry. */
export interface Checkout {
  /** The short commit the ref named when the run started. */
  commit: string;
  root: string;
  remove(): void;
}

const repo = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Checks `ref` out as a detached git worktree in a temporary directory, with
 * this checkout's node_modules linked in, so that what runs from it imports
 * that commit's own sources and the very same dependencies. Nothing in this
 * checkout's work tree is touched.
 */
export function checkoutRef(ref: string): Checkout {
  const commit = git("rev-parse", "--short", `${ref}^{commit}`);
  const root = mkdtempSync(join(tmpdir(), `tokenwire-${commit}-`));
  git("worktree", "add", "--detach", "--quiet", root, commit);
  const modules = join(root, "node_modules");
  symlinkSync(join(repo, "node_modules"), modules, "dir");
  return {
    commit,
    root,
    remove() {
      // The link goes first, so that nothing can follow it into the shared node_modules.
      unlinkSync(modules);
      git("worktree", "remove", "--force", root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function git(...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();
}
