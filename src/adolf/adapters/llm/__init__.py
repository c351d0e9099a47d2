"""Language-model adapters behind the ``LanguageModel`` port."""
