import { markdownBlocks } from "./markdown.ts";

/**
 * Shows markdown that keeps growing. Each render replaces only the blocks
 * whose HTML changed (while streaming, the last one), so text the reader has
 * selected in an earlier block stays selected; a changed block that holds the
 * reader's selection waits until the selection goes.
 */
export class MarkdownView {
  readonly element = document.createElement("div");
  private shown: { source: string; html: string; node: HTMLElement }[] = [];

  constructor() {
    this.element.className = "markdown";
  }

  /** Returns false when a block was held back for the reader's selection: render again once it goes. */
  render(markdown: string): boolean {
    const blocks = markdownBlocks(markdown);
    let complete = true;
    blocks.forEach((block, i) => {
      const old = this.shown[i];
      if (old?.source === block.source) return;
      if (old && holdsSelection(old.node)) return void (complete = false);
      const html = block.html();
      // A block's source also changes when only blank lines follow it; its HTML then stays, and so does its node.
      if (old?.html === html) return void (old.source = block.source);
      const node = document.createElement("div");
      node.className = "block";
      node.innerHTML = html;
      if (old) old.node.replaceWith(node);
      else this.element.append(node);
      this.shown[i] = { source: block.source, html, node };
    });
    for (const gone of this.shown.splice(blocks.length)) gone.node.remove();
    return complete;
  }
}

function holdsSelection(node: Node): boolean {
  const selection = document.getSelection();
  return Boolean(selection && !selection.isCollapsed && selection.rangeCount > 0 && selection.getRangeAt(0).intersectsNode(node));
}
