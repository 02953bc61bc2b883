"""gaibu: keeps a company's public external-transmission (外部送信) disclosures true."""

__version__ = "0.1.0"
