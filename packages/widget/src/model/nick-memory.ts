/**
 * Remembers the nickname a visitor chose for a relay and room for the rest of
 * the browser session (like the client's resume secret), so a reload does not
 * ask again. Storage can be missing or refused on third-party pages: then
 * nothing is remembered.
 */
const key = (relay: string, room: string): string => `parley:nick:${relay}:${room}`;

export function recallNick(relay: string, room: string): string | null {
  try {
    return sessionStorage.getItem(key(relay, room));
  } catch {
    return null;
  }
}

export function rememberNick(relay: string, room: string, nick: string): void {
  try {
    sessionStorage.setItem(key(relay, room), nick);
  } catch {
    // storage refused: the visitor will be asked again after a reload
  }
}
