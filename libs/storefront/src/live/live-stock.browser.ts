/// <reference lib="dom" />
// The storefront's live stock script (served at /assets/<version>/..., see apps/storefront's
// LiveAssets). It only enhances: every badge is server-rendered (an ESI fragment) and stays
// right without it.
import { NewestVersions, notifyResultText, stockBadgeFor, type LiveFigure } from './live-badge.js';
import { LiveStockClient, type LiveSocket } from './live-stock-client.js';

const BADGE_SELECTOR = '[data-live-stock]';

function productIdOf(element: Element): number | null {
  const id = Number(element.getAttribute('data-live-stock'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function render(badge: HTMLElement, figure: LiveFigure): void {
  const lowStockBelow = Number(badge.getAttribute('data-low-stock-below'));
  const view = stockBadgeFor(figure.stock, lowStockBelow);
  badge.setAttribute('data-version', String(figure.version));
  const label = badge.querySelector('[data-testid="stock-badge"]');
  if (label) {
    label.textContent = view.label;
    label.className = `stock stock--${view.state}`;
    label.setAttribute('data-stock', String(figure.stock));
  }
  const form = badge.querySelector('form');
  if (form) form.hidden = !view.notify;
}

/** Submits "notify me" with fetch and says what happened, instead of leaving the page. */
async function submitNotify(form: HTMLFormElement): Promise<void> {
  const result = form.querySelector('[data-notify-result]');
  const data = new FormData(form);
  const email = data.get('email');
  let text: string;
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        productId: Number(data.get('productId')),
        email: typeof email === 'string' ? email : '',
      }),
    });
    let message: string | undefined;
    try {
      const body = (await response.json()) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // No JSON body: the status says enough.
    }
    text = notifyResultText(response.status, message);
  } catch {
    text = notifyResultText(0, undefined);
  }
  if (result) result.textContent = text;
}

/** The browser's WebSocket behind the client's small LiveSocket surface. */
function openSocket(url: string): LiveSocket {
  const webSocket = new WebSocket(url);
  const socket: LiveSocket = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send: (data) => webSocket.send(data),
    close: () => webSocket.close(),
  };
  webSocket.onopen = () => socket.onopen?.();
  webSocket.onmessage = (event) => socket.onmessage?.({ data: event.data });
  webSocket.onclose = () => socket.onclose?.();
  webSocket.onerror = () => socket.onerror?.();
  return socket;
}

function start(): void {
  const badges = Array.from(document.querySelectorAll<HTMLElement>(BADGE_SELECTOR));
  const byProduct = new Map<number, HTMLElement[]>();
  const versions = new NewestVersions();
  for (const badge of badges) {
    const id = productIdOf(badge);
    if (id === null) continue;
    byProduct.set(id, [...(byProduct.get(id) ?? []), badge]);
    const version = Number(badge.getAttribute('data-version'));
    if (Number.isSafeInteger(version) && version > 0) versions.accept(id, version);
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest(BADGE_SELECTOR)) return;
    event.preventDefault();
    void submitNotify(form);
  });

  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  new LiveStockClient({
    url: `${scheme}//${location.host}/live`,
    productIds: [...byProduct.keys()],
    versions,
    openSocket,
    onFigure: (figure) => {
      for (const badge of byProduct.get(figure.id) ?? []) render(badge, figure);
    },
    schedule: (run, delayMs) => void setTimeout(run, delayMs),
  }).start();
}

start();
