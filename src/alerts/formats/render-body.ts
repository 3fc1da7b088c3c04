import type { Alert } from '../../interfaces/alert';
import type { Identified, WebhookSinkConfig } from '../sink-config';
import { alertmanager } from './alertmanager';
import { genericJson } from './generic-json';
import type { RenderedBody } from './rendered-body';
import { slack } from './slack';
import { template } from './template';

/** The body a webhook sink sends for `alert`, in the sink's format. */
export function renderBody(sink: Identified<WebhookSinkConfig>, alert: Alert): RenderedBody {
  switch (sink.format ?? 'json') {
    case 'json':
      return genericJson(alert);
    case 'slack':
      return slack(alert);
    case 'alertmanager-webhook':
    case 'alertmanager':
      return alertmanager(alert, sink.id);
    case 'template':
      return template(alert, sink.template ?? '', sink.contentType);
  }
}
