"""Chart builders: pure ``tidy DataFrame -> alt.Chart`` functions, one module per page plus ``common``."""
