/**
 * Links into Superset's UI, in Superset 6.x's formats (reference §7.4), from SUPERSET_WEBSERVER_ADDRESS.
 */
export interface SupersetLinks {
  base: string
  dashboard(dashboard: { id: number; slug?: string | null }): string
  chart(chartId: number): string
  dataset(datasetId: number): string
  datasetExplore(datasetId: number, vizType?: string): string
  sqlLab(params?: Record<string, string | number | undefined>): string
  exploreFormDataKey(key: string): string
  /** An unsaved chart: Superset's explore page reads the whole form_data from the URL. */
  exploreFormData(formData: Record<string, unknown>): string
}

export function supersetLinks(base: string): SupersetLinks {
  const root = base.replace(/\/+$/, '')
  const query = (params: Record<string, string | number | undefined>): string => {
    const search = new URLSearchParams()
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) search.set(name, String(value))
    const text = search.toString()
    return text === '' ? '' : `?${text}`
  }
  return {
    base: root,
    dashboard: ({ id, slug }) => `${root}/superset/dashboard/${encodeURIComponent(slug ?? String(id))}/`,
    chart: (chartId) => `${root}/explore/?slice_id=${chartId}`,
    dataset: (datasetId) => `${root}/tablemodelview/edit/${datasetId}`,
    datasetExplore: (datasetId, vizType) =>
      `${root}/explore/${query({ datasource_type: 'table', datasource_id: datasetId, viz_type: vizType })}`,
    // As 6.1's open_sql_lab_with_context: f"{base}/sqllab?{urlencode(params)}".
    sqlLab: (params = {}) => `${root}/sqllab${query(params)}`,
    exploreFormDataKey: (key) => `${root}/explore/${query({ form_data_key: key })}`,
    exploreFormData: (formData) => `${root}/explore/${query({ form_data: JSON.stringify(formData) })}`,
  }
}
