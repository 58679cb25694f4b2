/** What {@link h} sets on an element. */
export interface ElementProps {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
}

/** Creates an element. The page builds its nodes this way, never from HTML strings, so no text becomes markup. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Finds an element of the page by id; the page's markup guarantees it is there. */
export function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}
