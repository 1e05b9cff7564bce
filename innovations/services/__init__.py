"""Write-side services of the innovations app (one module per area)."""
