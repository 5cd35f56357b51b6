"""Text: the word-level helpers every wing uses (words.py) and static sentence vectors.

In: strings. Out: words, stems, stopwords, and unit vectors read from the table shipped
beside static_embeddings.py. Never imports another part of bot/ (nor handlers or telegram):
it is the floor the wings stand on.
"""
