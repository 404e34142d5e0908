export {
  getAnnotationLayerInfo,
  getLayerAnnotationInfo,
  listAnnotationLayers,
  listLayerAnnotations,
} from './tools'
