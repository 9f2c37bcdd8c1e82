"""portal: the public portal's home and the staff workbench — pages that gather capabilities."""
