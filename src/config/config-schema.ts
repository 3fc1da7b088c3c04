import schema from '../../schema/config.schema.json';
import { ajv } from '../rules/schema-check';

/** schema/config.schema.json compiled: the structure check of a config file, the same schema editors use. */
export const validateConfigSchema = ajv.compile(schema);
