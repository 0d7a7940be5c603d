// An Optic ruleset: an operation keeps its operationId. Clients generated from the document
// (openapi-python-client, openapi-generator, …) name their methods after it, so a renamed
// operationId breaks them as surely as a removed path. Optic's own breaking-changes ruleset
// leaves it out (oasdiff has it as the optional check api-operation-id-removed).
const { OperationRule, RuleError, Ruleset } = require('@useoptic/rulesets-base');

const keepOperationIds = new OperationRule({
  name: 'keep operationIds',
  rule: (operation) => {
    operation.changed((before, after) => {
      if (before.raw.operationId && before.raw.operationId !== after.raw.operationId) {
        throw new RuleError({
          message: `operationId ${before.raw.operationId} became ${after.raw.operationId ?? 'none'}. This is a breaking change.`,
        });
      }
    });
  },
});

module.exports = {
  configSchema: {},
  rulesetConstructor: () => new Ruleset({ name: 'operation ids', rules: [keepOperationIds] }),
};
