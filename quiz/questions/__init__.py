"""The question bank: editing, the sample bank, and import/export formats (Excel, GIFT, Aiken)."""
