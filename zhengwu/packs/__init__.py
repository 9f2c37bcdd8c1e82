"""packs: loading a deployment's data pack (regions, departments, catalogue, synonyms, people).

The format is docs/pack-format.md; packs/leiyang/ is the default. No county is hard-coded.
"""
