package core

import (
	"encoding/json"
	"strings"
)

// ParseRulesDocument reads and validates a rules document (the JSON that
// ExportRules writes), without a store: unknown fields, another version and
// an invalid mapping are *Error values with code EINVALID naming the field.
// Roles it names need not exist yet.
func ParseRulesDocument(data []byte) (RulesDocument, error) {
	var doc RulesDocument
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return RulesDocument{}, &Error{Code: EINVALID, Err: err, Message: "The rules file is not valid JSON for JIT Console: " + firstLine(err)}
	}
	if doc.Version != 1 {
		return RulesDocument{}, Errorf(EINVALID, "version: unsupported version %d (this console reads version 1)", doc.Version)
	}
	if err := doc.Mapping.Validate(nil); err != nil {
		return RulesDocument{}, err
	}
	return doc, nil
}
