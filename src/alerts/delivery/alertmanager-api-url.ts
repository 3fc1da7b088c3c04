const ALERTS_PATH = 'api/v2/alerts';

/**
 * Where alerts are posted for a configured Alertmanager URL: the URL itself when it already ends
 * in /api/v2/alerts, otherwise /api/v2/alerts under its path, so both `http://am:9093` and an
 * Alertmanager behind a prefix (`--web.route-prefix`, a proxy: `https://host/alertmanager/`) work.
 */
export function alertmanagerApiUrl(configured: string): string {
  const url = new URL(configured);
  if (url.pathname.replace(/\/+$/, '').endsWith(`/${ALERTS_PATH}`)) return url.toString();
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${ALERTS_PATH}`;
  return url.toString();
}
