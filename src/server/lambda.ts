// lrp-keras/server/lambda: the app as an AWS Lambda handler (API Gateway v1/v2, Function URLs, ALB)
// through Hono's Lambda adapter; PNG answers are base64-encoded as Lambda requires.
import { handle } from 'hono/aws-lambda';
import { createApp, type ServerOptions } from './app.js';

/** `export const handler = createLambdaHandler({ models: { mnist: loadModel(bytes) } })`: models load once per execution environment. */
export const createLambdaHandler = (options: ServerOptions): ReturnType<typeof handle> => handle(createApp(options));
