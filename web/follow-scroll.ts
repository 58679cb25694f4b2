/**
 * Keeps a scroller at its bottom while content grows, until the reader
 * scrolls up; scrolling back to the bottom, or `resume`, follows again.
 * The reader's scroll is told from the page's own by its direction: growing
 * content never moves `scrollTop` up, only a reader does.
 */
export class FollowScroll {
  private following = true;
  private lastTop = 0;
  private readonly scroller: HTMLElement;
  private readonly jump: HTMLElement;

  /** `jump` is shown while the view does not follow, and returns to the bottom when clicked. */
  constructor(scroller: HTMLElement, jump: HTMLElement) {
    this.scroller = scroller;
    this.jump = jump;
    scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    jump.addEventListener("click", () => this.resume());
  }

  /** Scrolls to the bottom if the reader has not scrolled away. */
  follow(): void {
    if (this.following) this.toBottom();
    this.jump.hidden = this.following || this.distanceToBottom() < 1;
  }

  resume(): void {
    this.following = true;
    this.follow();
  }

  private onScroll(): void {
    const top = this.scroller.scrollTop;
    if (this.distanceToBottom() < 32) this.following = true;
    else if (top < this.lastTop - 1) this.following = false;
    this.lastTop = top;
    this.jump.hidden = this.following;
  }

  private toBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.lastTop = this.scroller.scrollTop;
  }

  private distanceToBottom(): number {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight;
  }
}
