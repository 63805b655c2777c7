import { buildApp } from './buildApp.js';

// The CDK CLI runs this file (cdk.json "app"); it only synthesises.
buildApp().app.synth();
