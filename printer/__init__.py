"""Everything that ends on paper or in a PDF: thermal slips (ESC/POS), A4 PDFs, and the print queue."""
