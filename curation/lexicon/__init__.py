"""The medical lexicon: curated term lists (the *.txt beside this file), Debian's hunspell
dictionaries, and the tokenising and term matching every stage shares."""
