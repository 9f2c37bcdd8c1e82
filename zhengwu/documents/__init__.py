"""documents: printable documents — PDF rendering with the Chinese font embedded, QR codes."""
