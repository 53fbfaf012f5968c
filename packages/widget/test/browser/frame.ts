// Drives a fixture page of demo/test/ loaded in an iframe from the relay's
// origin (another origin than the test page) through its probe.js.
import { relay, until } from './helpers.js';

/** What probe.js reports about the page. */
export interface ProbeState {
  defined: boolean;
  errors: string[];
  violations: string[];
  widgets: Array<{
    attributes: Record<string, string>;
    status: string;
    user: { id: string; name: string } | null;
    opened: boolean;
    adoptedSheets: number;
    launcher: { width: number; height: number; left: number; position: string } | null;
    launcherLabel: string | null;
    panel: { top: number; left: number; width: number; height: number } | null;
    viewport: { width: number; height: number };
    title: string | null;
    bubbles: string[];
  }>;
}

let next = 0;

/** A fixture page in an iframe, and a way to ask its probe. */
export class Frame {
  private constructor(readonly iframe: HTMLIFrameElement) {}

  /** Loads `demo/test/<page>` from the relay in an iframe of the given size. */
  static async open(page: string, width = 800, height = 700): Promise<Frame> {
    const { http } = await relay();
    const iframe = document.createElement('iframe');
    iframe.width = String(width);
    iframe.height = String(height);
    iframe.src = `${http}/test/${page}`;
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    document.body.append(iframe);
    await loaded;
    return new Frame(iframe);
  }

  /** Sends a command to probe.js and resolves with its answer. */
  ask<T>(cmd: string, arg?: unknown, timeout = 10000): Promise<T> {
    const id = ++next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        removeEventListener('message', on);
        reject(new Error(`probe did not answer ${cmd}`));
      }, timeout);
      const on = (e: MessageEvent): void => {
        if (e.source !== this.iframe.contentWindow || e.data?.id !== id) return;
        clearTimeout(timer);
        removeEventListener('message', on);
        if (e.data.error) reject(new Error(e.data.error));
        else resolve(e.data.result as T);
      };
      addEventListener('message', on);
      this.iframe.contentWindow!.postMessage({ id, cmd, arg }, '*');
    });
  }

  state(): Promise<ProbeState> {
    return this.ask<ProbeState>('state');
  }

  /** Waits until the probe's state satisfies `check`; resolves with that state. */
  async until(check: (s: ProbeState) => boolean, what: string, timeout = 20000): Promise<ProbeState> {
    let last: ProbeState | undefined;
    await until(async () => check((last = await this.state())), what, timeout);
    return last!;
  }

  close(): void {
    this.iframe.remove();
  }
}
