// Package chat is the coach's conversation: a trader's free question and their evidence (bias
// tags with their features, the account windows, rule streaks, the weekly digest, simulation
// results) go to a Model, and nothing the model says reaches the trader before the grounding
// checker has passed it.
//
// The pieces, each usable alone:
//
//   - Gather turns the evidence into a versioned list of Facts (EvidenceVersion), each with a
//     stable evidence id and a Subject (label, symbol, trade reference, date or month, metric).
//     The same evidence always gives the same facts in the same order.
//   - BuildPrompt makes the text sent to a model (PromptVersion): deterministic, within a token
//     budget, the facts most relevant to the question first. It holds no email, no broker
//     identifiers and nothing sealed: facts are built from the evidence's numbers, never from
//     such fields.
//   - Check finds every number (with its unit and rounding), bias label, symbol, date and trade
//     reference of an answer and reports a Violation for each one the facts do not hold for the
//     same subject, and for advice to buy or sell a named asset.
//   - Deterministic is the default Model: the bias package's reflections over the facts, with
//     no network and no randomness.
//   - Service.Ask runs evidence → prompt → model → check, retries once with the violations
//     named, falls back to the deterministic answer, and stores and publishes the accepted
//     answer once (a coach.answer event carrying the evidence ids it used).
//
// The openai subpackage is a Model over any OpenAI-compatible chat-completions server.
package chat
