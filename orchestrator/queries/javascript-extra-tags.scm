(import_specifier name: (identifier) @name.reference.import)
(shorthand_property_identifier_pattern) @name.reference.import
(arguments (identifier) @name.reference.argument)
