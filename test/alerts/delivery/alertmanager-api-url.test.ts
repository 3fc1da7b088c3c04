import { alertmanagerApiUrl } from '../../../src/alerts/delivery/alertmanager-api-url';

test('the API path is added under a base URL or a prefix, and kept when already given', () => {
  expect(alertmanagerApiUrl('http://am:9093')).toBe('http://am:9093/api/v2/alerts');
  expect(alertmanagerApiUrl('http://am:9093/')).toBe('http://am:9093/api/v2/alerts');
  expect(alertmanagerApiUrl('https://host/alertmanager/')).toBe('https://host/alertmanager/api/v2/alerts');
  expect(alertmanagerApiUrl('http://127.0.0.1:9093/api/v2/alerts')).toBe('http://127.0.0.1:9093/api/v2/alerts');
  expect(alertmanagerApiUrl('http://am:9093/x?tenant=a')).toBe('http://am:9093/x/api/v2/alerts?tenant=a');
});
