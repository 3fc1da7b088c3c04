/** A request body built from one alert, fixed when the delivery is queued so every retry sends the same bytes. */
export interface RenderedBody {
  body: string;
  contentType: string;
}
